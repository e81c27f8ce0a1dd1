"""``dangjian bench``: p50/p95 server time of list/search pages on gen_scale data."""

from django.core.management.base import BaseCommand

from dangjian.demo import bench


class Command(BaseCommand):
    help = "在规模测试数据上测量列表/搜索页面的服务端耗时（p50/p95）"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument(
            "--explain", action="store_true", help="打印每个场景最慢 SQL 的执行计划"
        )
        parser.add_argument(
            "--only",
            default="",
            help="只测名称包含此文字的场景（多个用 | 分隔；“党建”为党建工作各页面）",
        )
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--skip-import", action="store_true")

    def handle(self, *args, **options):
        bench.run(
            repeat=options["repeat"],
            explain=options["explain"],
            only=options["only"],
            out=self.stdout.write,
        )
        if not options["skip_import"]:
            self.stdout.write("导入：" + bench.import_throughput(options["import_rows"]))
