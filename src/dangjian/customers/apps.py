from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "dangjian.customers"
    label = "customers"
    verbose_name = "零售客户"
