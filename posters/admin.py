from django.contrib import admin

from posters.models import (
    Commitment,
    Poster,
    PosterQuality,
    PosterValidation,
    PosterVersion,
    ProgressNote,
    Roadmap,
    RoadmapAction,
)


class PosterVersionInline(admin.TabularInline):
    model = PosterVersion
    extra = 0
    fields = ["number", "status", "heading", "validated_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Poster)
class PosterAdmin(admin.ModelAdmin):
    inlines = [PosterVersionInline]


class PosterQualityInline(admin.TabularInline):
    model = PosterQuality
    extra = 0
    raw_id_fields = ["source_item"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    raw_id_fields = ["source_item"]


@admin.register(PosterVersion)
class PosterVersionAdmin(admin.ModelAdmin):
    list_display = ["heading", "number", "status", "validated_at"]
    list_filter = ["status"]
    readonly_fields = ["content_hash", "validated_at", "validated_by"]
    inlines = [PosterQualityInline, CommitmentInline]


@admin.register(PosterValidation)
class PosterValidationAdmin(admin.ModelAdmin):
    list_display = ["version", "approves", "created_at"]
    raw_id_fields = ["version", "participant"]


class RoadmapActionInline(admin.TabularInline):
    model = RoadmapAction
    extra = 0
    fields = ["title", "owner", "due_on", "status"]
    show_change_link = True


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["service", "concertation"]
    list_select_related = ["service", "concertation"]
    inlines = [RoadmapActionInline]


class ProgressNoteInline(admin.TabularInline):
    model = ProgressNote
    extra = 0


@admin.register(RoadmapAction)
class RoadmapActionAdmin(admin.ModelAdmin):
    list_display = ["title", "roadmap", "owner", "due_on", "status"]
    list_filter = ["status"]
    inlines = [ProgressNoteInline]
