from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cadence.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from cadence.accounts import auth_events, course_creators

        auth_events.connect()
        course_creators.connect()
