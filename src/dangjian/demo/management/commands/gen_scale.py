"""``dangjian gen_scale``: benchmark-scale data (see docs/performance.md)."""

from django.core.management.base import BaseCommand, CommandError

from dangjian.demo.scale import generate, generate_party


class Command(BaseCommand):
    help = "生成规模测试数据（全国级组织树、人员、零售客户及党建工作数据），用于性能基准"

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--people", type=int, default=50_000)
        parser.add_argument(
            "--bureaus", type=int, default=1000, help="县局数（每个 4 个片区、2 个支部）"
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--party-years",
            type=int,
            default=5,
            help="党建工作数据的年数（会议、党费、发展党员、公示、转接）；0 表示不生成",
        )
        parser.add_argument(
            "--party-only",
            action="store_true",
            help="只在已有的规模数据库上补充党建工作数据",
        )

    def handle(self, *args, **options):
        try:
            if options["party_only"]:
                counts = generate_party(years=options["party_years"] or 5, log=self.stdout.write)
            else:
                counts = generate(
                    customers=options["customers"],
                    people=options["people"],
                    bureaus=options["bureaus"],
                    seed=options["seed"],
                    party_years=options["party_years"],
                    log=self.stdout.write,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))
