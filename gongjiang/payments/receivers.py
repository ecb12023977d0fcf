"""Payments listens to the honours app's signals, inside the transaction of the honour's change:

* `renewal_passed` (环翠 第十二条): the passed 复核认定 releases the instalments held back for it;
* `benefits_stopped` (an exit, a revocation or a failed renewal): instalments due from `stop_from`
  are stopped at once, not only at the next run's sync.

Entitlements a holder does not have yet are created by `honours_link.sync` before each run.
"""
from django.dispatch import receiver

from gongjiang.honours import signals

from .honours_link import source_key
from .models import Entitlement
from .services import open_renewal_gate, stop_entitlements


@receiver(signals.renewal_passed, dispatch_uid="payments.renewal_passed")
def release_after_renewal(sender, *, honour, review, actor, **kwargs):
    entitlements = list(Entitlement.objects.filter(source_key=source_key(honour)))
    if entitlements:
        open_renewal_gate(entitlements, actor=actor, reason=f"{honour.title}复核认定通过")


@receiver(signals.benefits_stopped, dispatch_uid="payments.benefits_stopped")
def stop_with_honour(sender, *, honour, stop_from, actor, reason, **kwargs):
    entitlements = [e for e in Entitlement.objects.filter(source_key=source_key(honour))
                    if e.stop_from is None or e.stop_from > stop_from]
    if entitlements:
        stop_entitlements(entitlements, stop_from=stop_from, actor=actor, reason=reason)
