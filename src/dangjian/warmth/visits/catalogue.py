"""The starting catalogues: the article's visit kinds, 私人定制 service types per segment and
the visit plans of RULES §8 (tier 25–30 weekly, 弱势群体 fortnightly, everyone monthly).

``ensure_catalogue`` is idempotent; the data migration calls it with the historical models,
tests and the browser tests with the real ones (a transactional test's flush empties the
tables the migration filled)."""

KINDS = [
    ("routine", "日常走访", False),
    ("licence_check", "亮证检查", False),
    ("counter", "柜台整理", False),
    ("display", "出样陈列指导", False),
    ("tailored", "私人定制服务", True),
    ("training", "经营培训", False),
]

SERVICE_TYPES = [
    ("modern_terminal", "智能终端使用指导", "指导使用自助结算、扫码订货等终端功能"),
    ("modern_terminal", "陈列形象设计", "按现代终端标准设计柜台与形象展示"),
    ("modern_terminal", "数据分析服务", "提供销售数据分析与品类结构建议"),
    ("vulnerable", "送货上门", "为行动不便的客户送货到店"),
    ("vulnerable", "代办证照", "代为办理许可证延续、变更等手续"),
    ("vulnerable", "结对帮扶", "党员一对一结对，定期上门了解困难"),
    ("strong_operator", "经营诊断", "分析经营数据，提出品类与价格建议"),
    ("strong_operator", "新品推介", "优先提供新品信息与试销支持"),
    ("prime_location", "品牌展示", "在位置优越的店面开展品牌形象展示"),
    ("prime_location", "消费者活动", "协助策划店头消费者互动活动"),
]

PLANS = [
    ("高档位客户（25–30档）", 25, 30, "", 7),
    ("弱势群体客户", None, None, "vulnerable", 14),
    ("现代终端客户", None, None, "modern_terminal", 14),
    ("全部客户（默认）", None, None, "", 30),
]


def ensure_catalogue(kind_model=None, service_model=None, plan_model=None) -> None:
    """Create the missing kinds and service types, and the plans when there are none."""
    if kind_model is None:
        from .models import TailoredServiceType, VisitKind, VisitPlan

        kind_model, service_model, plan_model = VisitKind, TailoredServiceType, VisitPlan
    for order, (code, name, tailored) in enumerate(KINDS, start=1):
        kind_model.objects.get_or_create(
            code=code, defaults={"name": name, "is_tailored": tailored, "sort_order": order}
        )
    for order, (segment, name, description) in enumerate(SERVICE_TYPES, start=1):
        service_model.objects.get_or_create(
            segment=segment,
            name=name,
            defaults={"description": description, "sort_order": order},
        )
    if not plan_model.objects.exists():
        for name, low, high, segment, days in PLANS:
            plan_model.objects.create(
                name=name, tier_min=low, tier_max=high, segment=segment, every_days=days
            )
