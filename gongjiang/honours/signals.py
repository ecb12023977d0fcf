"""Signals other apps (payments) listen to. Each is sent inside the transaction that makes the
change, so a receiver's writes commit or roll back with it; a DomainError raised by a receiver
refuses the whole change.

`honour_awarded(sender=Honour, honour, actor)`: an honour was awarded (approval recorded).
`benefits_stopped(sender=Honour, honour, stop_from, actor, reason)`: from `stop_from` (inclusive) no
    benefit is due — an exit, a revocation (see `services.clawback_of` for what must be returned) or
    a failed renewal review; `reason` is what the holder was told, with the article.
`renewal_passed(sender=Honour, honour, review, actor)`: the renewal review (复核认定) passed; benefits
    the policy holds back for it (环翠 第十二条) may be paid.
"""
from django.dispatch import Signal

honour_awarded = Signal()
benefits_stopped = Signal()
renewal_passed = Signal()
