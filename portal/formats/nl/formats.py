"""Dutch date formats: month names in lower case, also when short ("30 nov 2026, 23:30").
Django's "M" capitalises the short month ("30 Nov"); "b" keeps it lower case, as Dutch
writes it. Django format syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
DAY_MONTH_FORMAT = "j b"
FIRST_DAY_OF_WEEK = 1  # Monday
# Our own (see portal/formats/en/formats.py); "D" gives the Dutch "ma", "b" the lower-case "nov".
WEEKDAY_DAY_MONTH_FORMAT = "D j b"
DAY_MONTH_TIME_FORMAT = "j b, H:i"
SHORT_DATETIME_SECONDS_FORMAT = "j b Y, H:i:s"
DATETIME_ZONE_FORMAT = "j F Y, H:i e"
