"""``dangjian demo``: migrate, load the demo city, then serve it (with the job worker)."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dangjian.demo.loader import DEFAULT_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示数据（一个地市公司）并在本机启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="只载入数据，不启动服务")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="演示账号的密码")
        parser.add_argument("--customers", type=int, default=8000)
        parser.add_argument("--people", type=int, default=400)

    def handle(self, *args, **options):
        password = options["password"]
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc

        call_command("migrate", interactive=False, verbosity=0)
        if not (settings.STATIC_ROOT / "staticfiles.json").exists() and not any(
            settings.STATIC_ROOT.glob("*")
        ):
            call_command("collectstatic", interactive=False, verbosity=0)

        started = time.monotonic()
        result = load_demo(
            customers=options["customers"], people=options["people"], password=password
        )
        elapsed = time.monotonic() - started
        status = "已载入" if result.created else "已存在，未重复载入"
        self.stdout.write(f"演示数据{status}（{elapsed:.1f} 秒）")
        labels = {
            "units": "单位",
            "party_orgs": "党组织",
            "people": "人员",
            "members": "党员",
            "customers": "零售客户",
        }
        self.stdout.write("  " + "，".join(f"{labels[k]} {v}" for k, v in result.counts.items()))
        self.stdout.write(f"演示账号（密码均为 {password}）：")
        for username, description in result.accounts:
            self.stdout.write(f"  {username:<10} {description}")

        if options["no_serve"]:
            return
        self._serve(options["port"])

    def _serve(self, port: int) -> None:
        from waitress import serve

        from dangjian.wsgi import application

        worker = None
        if "huey.contrib.djhuey" in settings.INSTALLED_APPS:
            worker = subprocess.Popen([sys.executable, "-m", "dangjian.manage", "run_huey"])
            self.stdout.write(f"后台任务进程已启动（pid {worker.pid}）")
        self.stdout.write(f"访问 http://127.0.0.1:{port}/ （Ctrl+C 退出）")
        self.stdout.flush()

        def stop(signum, frame):
            raise KeyboardInterrupt

        # A plain `kill` should also stop the worker, not orphan it.
        signal.signal(signal.SIGTERM, stop)
        try:
            serve(application, host="127.0.0.1", port=port, threads=8)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
