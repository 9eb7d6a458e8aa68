from django.urls import path

from cadence.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.message_new, name="message-new"),
    path("messages/<int:conversation_id>/", views.conversation_detail, name="conversation-detail"),
    path("messages/<int:conversation_id>/reply/", views.conversation_reply, name="conversation-reply"),
    path("messages/<int:conversation_id>/status/", views.question_status, name="question-status"),
    path("courses/<slug:slug>/ask/", views.question_ask, name="question-ask"),
    path("courses/<slug:slug>/ask/queue/", views.question_queue, name="question-queue"),
    path("courses/<slug:slug>/messaging/settings/", views.course_settings, name="settings"),
    path("courses/<slug:slug>/people/<int:user_id>/check-in/", views.check_in, name="check-in"),
    path("courses/<slug:slug>/check-in/", views.check_in_many, name="check-in-many"),
]
