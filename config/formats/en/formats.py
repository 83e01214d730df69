# Dates in prose, as each language writes them in an official letter; tables and
# exports use ISO dates (Y-m-d) in every language.
DATE_FORMAT = "j F Y"  # 3 October 2025
