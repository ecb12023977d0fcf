"""Screening results keyed by (run, person): no id column, its sequence and the four other indexes
(run, person, (run, outcome) and the unique (run, person)); one index for the results list.

Django cannot change a table's primary key in place, so the results move into a new table which
then takes the old one's name."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0011_screeningshard_whole_scope'),
    ]

    operations = [
        migrations.CreateModel(
            name='ScreeningResultByRun',
            fields=[
                ('pk', models.CompositePrimaryKey('run', 'person', blank=True, editable=False, primary_key=True,
                                                  serialize=False)),
                ('outcome', models.PositiveSmallIntegerField(choices=[(0, '符合'), (1, '需人工审核'), (2, '不符合')])),
                ('fail_mask', models.BigIntegerField(default=0)),
                ('review_mask', models.BigIntegerField(default=0)),
                ('person', models.ForeignKey(db_constraint=False, db_index=False,
                                             on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                             to='registry.person')),
                ('run', models.ForeignKey(db_constraint=False, db_index=False,
                                          on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                          to='registry.screeningrun')),
            ],
            options={
                'verbose_name': '筛查结果',
                'verbose_name_plural': '筛查结果',
            },
        ),
        migrations.RunSQL(
            "INSERT INTO registry_screeningresultbyrun (run_id, person_id, outcome, fail_mask, review_mask) "
            "SELECT run_id, person_id, outcome, fail_mask, review_mask FROM registry_screeningresult",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.DeleteModel(name='ScreeningResult'),
        migrations.RenameModel(old_name='ScreeningResultByRun', new_name='ScreeningResult'),
        migrations.AlterField(
            model_name='screeningresult',
            name='run',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='results', to='registry.screeningrun'),
        ),
        migrations.AddIndex(
            model_name='screeningresult',
            index=models.Index(fields=['run', 'outcome', 'person'], name='screening_result_list'),
        ),
    ]
