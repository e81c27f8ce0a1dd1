"""Notifications: inbox, e-mail, WeChat Work group robot, SMS gateway, console.

Modules send with one call, inside their own service (it dispatches after commit)::

    from dangjian.notifications.services import notify

    notify(kind="meeting_reminder", recipients=[user, target], urgent=False, actor=actor,
           context={"name": ..., "branch": ..., "when": ..., "place": ..., "meeting": ...})

``kind`` names a MessageTemplate (seeded defaults in message_templates.py; add a kind with a
data migration). ``recipients`` are users (inbox always, plus their preferred channels) and
NotificationTargets (a unit's group robot / mailbox). A missing template variable fails the
deliveries visibly ("模板缺少变量：…") instead of sending a half-filled message.
"""
