from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importbatch",
            name="status",
            field=models.CharField(
                choices=[("checking", "校验中"), ("checked", "已校验，可导入"), ("invalid", "校验未通过"),
                         ("committing", "导入中"), ("committed", "已导入"), ("discarded", "已放弃")],
                default="checking", max_length=20, verbose_name="状态"),
        ),
    ]
