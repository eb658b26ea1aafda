from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "adapters.organizations"
    label = "organizations"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from adapters.organizations import problems

        problems.register()
