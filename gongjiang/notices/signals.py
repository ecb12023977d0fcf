"""Signals other apps listen to. Both are sent inside the transaction that makes the change, so a
receiver's own writes commit (or roll back) together with it.

`candidate_removed(sender=NoticeEntry, entry, notice, application_id, reason, objection)`:
    an upheld objection (异议成立) removed a candidate from a notice. `application_id` is the
    applications.Application id the notice entry was published from (None when not linked).
`notice_approved(sender=Notice, notice, approval, application_ids)`: the approval (批准/审定/命名)
    was recorded; `application_ids` are those of the candidates still on the list.
"""
from django.dispatch import Signal

candidate_removed = Signal()
notice_approved = Signal()
