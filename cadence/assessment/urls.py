from django.urls import path

from cadence.assessment.views import assignment, bank, gradebook, grading, quiz

app_name = "assessment"

urlpatterns = [
    path("<slug:slug>/questions/", bank.bank, name="bank"),
    path("<slug:slug>/questions/new/", bank.question_create, name="question-create"),
    path("<slug:slug>/questions/import/", bank.gift_import, name="gift-import"),
    path("<slug:slug>/questions/export.gift.txt", bank.gift_export, name="gift-export"),
    path("<slug:slug>/questions/export.csv", bank.csv_export, name="csv-export"),
    path("<slug:slug>/questions/<int:question_id>/", bank.question_preview, name="question-preview"),
    path("<slug:slug>/questions/<int:question_id>/edit/", bank.question_edit, name="question-edit"),
    path("<slug:slug>/questions/<int:question_id>/archive/", bank.question_archive, name="question-archive"),
]

urlpatterns += [
    path("<slug:slug>/items/<int:item_id>/quiz/edit/", quiz.quiz_edit, name="quiz-edit"),
    path("<slug:slug>/items/<int:item_id>/quiz/slots/", quiz.slot_add, name="slot-add"),
    path("<slug:slug>/items/<int:item_id>/quiz/slots/<int:slot_id>/remove/", quiz.slot_remove, name="slot-remove"),
    path("<slug:slug>/items/<int:item_id>/quiz/slots/<int:slot_id>/move/", quiz.slot_move, name="slot-move"),
    path("<slug:slug>/items/<int:item_id>/quiz/attempts/", quiz.attempt_start, name="attempt-start"),
    path("<slug:slug>/items/<int:item_id>/quiz/analysis/", quiz.quiz_analysis, name="quiz-analysis"),
    path("<slug:slug>/attempts/<int:attempt_id>/", quiz.attempt_page, name="attempt"),
    path("<slug:slug>/attempts/<int:attempt_id>/save/", quiz.attempt_save, name="attempt-save"),
    path("<slug:slug>/attempts/<int:attempt_id>/check/", quiz.attempt_check, name="attempt-check"),
    path("<slug:slug>/attempts/<int:attempt_id>/submit/", quiz.attempt_submit, name="attempt-submit"),
]

urlpatterns += [
    path("<slug:slug>/items/<int:item_id>/assignment/edit/", assignment.assignment_edit, name="assignment-edit"),
    path("<slug:slug>/items/<int:item_id>/assignment/draft/", assignment.draft_save, name="draft"),
    path("<slug:slug>/items/<int:item_id>/assignment/submit/", assignment.submit, name="submit"),
    path("<slug:slug>/submissions/<int:submission_id>/", assignment.receipt, name="receipt"),
    path(
        "<slug:slug>/submissions/<int:submission_id>/files/<int:file_id>/",
        assignment.submission_file,
        name="submission-file",
    ),
    path(
        "<slug:slug>/submissions/<int:submission_id>/feedback/<int:file_id>/",
        assignment.feedback_file,
        name="feedback-file",
    ),
]

urlpatterns += [
    path("<slug:slug>/grading/", grading.queue, name="grading-queue"),
    path("<slug:slug>/grading/submissions/<int:submission_id>/", grading.grade_submission, name="grade-submission"),
    path("<slug:slug>/grading/attempts/<int:attempt_id>/", grading.grade_attempt, name="grade-attempt"),
    path("<slug:slug>/items/<int:item_id>/assignment/release/", grading.release, name="release-grades"),
    path("<slug:slug>/rubrics/", grading.rubrics, name="rubrics"),
]

urlpatterns += [
    path("<slug:slug>/gradebook/", gradebook.grid, name="gradebook"),
    path("<slug:slug>/gradebook/export.csv", gradebook.export, name="gradebook-export"),
    path("<slug:slug>/gradebook/setup/", gradebook.setup, name="gradebook-setup"),
    path(
        "<slug:slug>/gradebook/items/<int:item_id>/counts/",
        gradebook.archived_counts,
        name="gradebook-archived-counts",
    ),
    path(
        "<slug:slug>/gradebook/items/<int:item_id>/learners/<int:user_id>/",
        gradebook.override,
        name="grade-override",
    ),
    path("<slug:slug>/my-grades/", gradebook.my_grades, name="my-grades"),
]
