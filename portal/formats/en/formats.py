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
