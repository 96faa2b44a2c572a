"""The editors' overview's indexes (claims.selectors.overview): the submitted claims' ids,
each claim's current verdict's submission time, and the few broken or changed sources, so the
page reads neither every submitted claim's row nor every source."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0008_claim_state_counts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(condition=models.Q(('state', 'submitted')), fields=['id'], name='claim_submitted'),
        ),
        migrations.AddIndex(
            model_name='evidence',
            index=models.Index(condition=models.Q(('link_status__in', ['gone', 'error']), ('changed_since_cited', True), _connector='OR'), fields=['-checked_at', 'id'], name='evidence_broken'),
        ),
        migrations.AddIndex(
            model_name='verdict',
            index=models.Index(condition=models.Q(('is_current', True)), fields=['claim', 'submitted_at'], name='verdict_current_submitted_at'),
        ),
    ]
