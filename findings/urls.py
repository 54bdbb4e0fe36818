from django.urls import path

from . import views

app_name = "findings"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("chapters/", views.chapter_list, name="chapter-list"),
    path("chapters/<slug:slug>/", views.ChapterDetailView.as_view(), name="chapter-detail"),
    path("contributions/", views.contribution_list, name="contribution-list"),
    path("contributions/<slug:slug>/", views.ContributionDetailView.as_view(), name="contribution-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<slug:slug>/", views.FindingDetailView.as_view(), name="finding-detail"),
    path("suggestions/", views.suggestion_list, name="suggestion-list"),
    path("suggestions/<slug:slug>/", views.SuggestionDetailView.as_view(), name="suggestion-detail"),
    path("search/", views.search, name="search"),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag-detail"),
]
