# "2025 жылғы 3 қазан", as Kazakh official documents write a date (the `long_date`
# filter puts the month, capitalised in Django's catalogue, in lower case).
DATE_FORMAT = r"Y \ж\ы\л\ғ\ы j E"
