"""Year rows ("y") for rollups built before they existed: each the sum of its month rows.
Self-contained SQL (not the app's build code, which may change later); the nightly
reconciliation checks them from then on."""

from django.db import migrations

COLUMNS = ("shares", "presses", "clicks", "unique_clicks")
KEYS = ("kind", "ambassador_id", "item_id", "network", "department_id")


def add_years(apps, schema_editor):
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table = qn(apps.get_model("ambassadors", "Rollup")._meta.db_table)
    if connection.vendor == "postgresql":
        year = f"CAST(date_trunc('year', {qn('day')}) AS date)"
    else:
        year = f"date({qn('day')}, 'start of year')"
    keys = ", ".join(qn(k) for k in KEYS)
    sums = ", ".join(f"SUM({qn(c)})" for c in COLUMNS)
    columns = ", ".join(qn(c) for c in ("grain", "day", *KEYS, *COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {qn('grain')} = %s", ["y"])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from code
            f"SELECT %s, {year}, {keys}, {sums} FROM {table} "
            f"WHERE {qn('grain')} = %s GROUP BY {year}, {keys}",
            ["y", "m"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0014b_clickdaily_day"),
    ]

    operations = [migrations.RunPython(add_years, migrations.RunPython.noop)]
