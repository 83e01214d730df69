DATE_FORMAT = r"j \d\e F \d\e Y"  # 3 de octubre de 2025
