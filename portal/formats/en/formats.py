"""English date formats for a Dutch company: day before month, 24-hour clock
("30 November 2026, 23:30"), instead of Django's American "Nov. 30, 2026, 11:30 p.m.".
Django format syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
# Our own: a day and a short month, for cards and lists ("30 Nov").
DAY_MONTH_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday
# Our own, so that no template or code hard-codes a format with month or day names:
# a weekday, day and short month ("Mon 30 Nov", calendar days),
WEEKDAY_DAY_MONTH_FORMAT = "D j M"
# a day, short month and time ("30 Nov, 23:30", crisis timelines and banners),
DAY_MONTH_TIME_FORMAT = "j M, H:i"
# a short date and time to the second ("30 Nov 2026, 23:30:15", the audit trail),
SHORT_DATETIME_SECONDS_FORMAT = "j M Y, H:i:s"
# a date and time with the time zone ("30 November 2026, 23:30 CET", public crisis pages).
DATETIME_ZONE_FORMAT = "j F Y, H:i e"
