"""Seeded data of 增值服务 (by migration 0002; editable afterwards by the office).

Template variables — broadcasts: ``title``, ``content``, ``group``, ``unit`` (the county
bureau); greetings: ``name`` (the owner), ``shop``, ``holiday`` (the occasion's name),
``unit``. Lunar festival keys are those of ``platform.lunar.FESTIVALS`` (and ``chuxi``).
"""

# (key, name, subject, body)
BROADCAST_KINDS = [
    (
        "marketing",
        "营销政策",
        "【营销政策】{{ title }}",
        "各位零售客户：{{ content }}\n如有疑问请联系您的客户经理。——{{ unit }}",
    ),
    (
        "weather",
        "天气提示",
        "【天气提示】{{ title }}",
        "{{ content }}\n请提前做好店面防护和商品防潮，注意出行安全。——{{ unit }}",
    ),
    (
        "health",
        "健康提示",
        "【健康提示】{{ title }}",
        "{{ content }}\n祝您身体健康、生意兴隆！——{{ unit }}",
    ),
    ("notice", "服务通知", "【服务通知】{{ title }}", "{{ content }}——{{ unit }}"),
]

BIRTHDAY_BODY = "{{ name }}，祝您生日快乐，生意兴隆，阖家幸福！——{{ unit }}"
HOLIDAY_BODY = (
    "{{ name }}，值此{{ holiday }}之际，{{ unit }}向您致以诚挚的问候，祝您生意兴隆、阖家幸福！"
)

# (key, name, kind, solar month, solar day, active, subject, body)
OCCASIONS = [
    ("birthday", "生日", "birthday", None, None, True, "生日快乐", BIRTHDAY_BODY),
    ("chunjie", "春节", "lunar", None, None, True, "{{ holiday }}快乐", HOLIDAY_BODY),
    ("yuanxiao", "元宵节", "lunar", None, None, False, "{{ holiday }}快乐", HOLIDAY_BODY),
    ("duanwu", "端午节", "lunar", None, None, True, "{{ holiday }}安康", HOLIDAY_BODY),
    ("zhongqiu", "中秋节", "lunar", None, None, True, "{{ holiday }}快乐", HOLIDAY_BODY),
    ("chongyang", "重阳节", "lunar", None, None, False, "{{ holiday }}安康", HOLIDAY_BODY),
    ("yuandan", "元旦", "solar", 1, 1, True, "{{ holiday }}快乐", HOLIDAY_BODY),
    ("guoqing", "国庆节", "solar", 10, 1, True, "{{ holiday }}快乐", HOLIDAY_BODY),
]

# Messages to staff with an account (notifications.notify kinds).
MESSAGE_TEMPLATES = [
    (
        "home_service_assigned",
        "上门服务安排",
        "【上门服务】{{ kind }} {{ when }}{{ change }}",
        "您被安排于{{ when }}到“{{ shop }}”（{{ address }}）开展{{ kind }}，同行人员：{{ staff }}。",
    ),
    (
        "offday_booking",
        "非工作日预约",
        "【非工作日预约】{{ window }} {{ when }}",
        "{{ name }}{{ action }}：{{ when }}，办理事项：{{ purpose }}，预约码{{ code }}。",
    ),
]


def ensure_defaults(broadcast_kind_model, occasion_model, template_model) -> None:
    """Create whatever seeded row is missing (idempotent; the migration and tests use it)."""
    for sort, (key, name, subject, body) in enumerate(BROADCAST_KINDS):
        broadcast_kind_model.objects.get_or_create(
            key=key, defaults={"name": name, "subject": subject, "body": body, "sort": sort}
        )
    for key, name, kind, month, day, active, subject, body in OCCASIONS:
        occasion_model.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "kind": kind,
                "month": month,
                "day": day,
                "is_active": active,
                "subject": subject,
                "body": body,
            },
        )
    for kind, name, subject, body in MESSAGE_TEMPLATES:
        template_model.objects.get_or_create(
            kind=kind, defaults={"name": name, "subject": subject, "body": body}
        )
