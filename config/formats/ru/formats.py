DATE_FORMAT = "j E Y г."  # 3 октября 2025 г.
