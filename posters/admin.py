from django.contrib import admin

from posters.models import (
    AuditEntry,
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


class FrozenVersionInline(admin.TabularInline):
    """Rows of a validated version are shown, not edited."""

    extra = 0
    raw_id_fields = ["source_item"]

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class PosterQualityInline(FrozenVersionInline):
    model = PosterQuality


class CommitmentInline(FrozenVersionInline):
    model = Commitment


@admin.register(PosterVersion)
class PosterVersionAdmin(admin.ModelAdmin):
    list_display = ["heading", "number", "status", "validated_at"]
    list_filter = ["status"]
    readonly_fields = [
        "status", "validation_method", "approvals", "rejections", "abstentions", "validated_at",
        "validated_by", "based_on", "content", "content_hash", "pdf_a4", "pdf_a3", "preview_png",
    ]
    inlines = [PosterQualityInline, CommitmentInline]

    def has_change_permission(self, request, obj=None):
        """A validated version is frozen here too: it is read, never changed."""
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


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


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The trail is evidence: shown, never added, changed or deleted by hand."""

    list_display = ["at", "user_label", "action", "model", "object_repr", "concertation"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "user_label", "concertation__title"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
