from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "cadence.messaging"
    label = "messaging"
    verbose_name = "Messaging"
