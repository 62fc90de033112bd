from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0004_digests_claim_token"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailySalt",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False, verbose_name="day")),
                ("salt", models.BinaryField(editable=False, max_length=32)),
            ],
            options={
                "verbose_name": "daily salt",
                "verbose_name_plural": "daily salts",
            },
        ),
    ]
