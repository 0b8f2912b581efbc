from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workshops.models import (
    Attendance,
    BallotItem,
    Concertation,
    MethodTemplate,
    Position,
    Proposal,
    Quality,
    Sequence,
    SequenceTemplate,
    Service,
    Site,
    Vote,
    Workshop,
    WorkshopTemplate,
)

admin.site.site_header = _("Vivre ensemble le service public — administration")
admin.site.site_title = _("Vivre ensemble")
admin.site.index_title = _("Administration")


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ["name"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "address"]
    search_fields = ["name"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "site"]
    list_filter = ["site"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]


class SequenceTemplateInline(admin.TabularInline):
    model = SequenceTemplate
    extra = 0


@admin.register(WorkshopTemplate)
class WorkshopTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "method", "order", "panel_kind", "duration_minutes"]
    list_filter = ["method"]
    inlines = [SequenceTemplateInline]


class WorkshopTemplateInline(admin.TabularInline):
    model = WorkshopTemplate
    extra = 0
    show_change_link = True


@admin.register(MethodTemplate)
class MethodTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "copied_from"]
    inlines = [WorkshopTemplateInline]


class WorkshopInline(admin.TabularInline):
    model = Workshop
    extra = 0
    fields = ["order", "title", "starts_at", "place", "status"]
    show_change_link = True


@admin.register(Concertation)
class ConcertationAdmin(admin.ModelAdmin):
    list_display = ["title", "scope", "site", "status", "created_at"]
    list_filter = ["scope", "status"]
    search_fields = ["title", "sponsor", "project_lead"]
    filter_horizontal = ["services", "facilitators"]
    # The stage moves with the method (services) and closing starts the retention period of
    # personal data: both are done from the concertation's page, which records them.
    readonly_fields = ["public_token", "status", "closed_at"]
    inlines = [WorkshopInline]


class SequenceInline(admin.TabularInline):
    model = Sequence
    extra = 0
    fields = ["order", "activity", "title", "planned_minutes", "status"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "concertation", "starts_at", "status", "join_code"]
    list_filter = ["status"]
    list_select_related = ["concertation"]
    inlines = [SequenceInline]


@admin.register(Quality)
class QualityAdmin(admin.ModelAdmin):
    list_display = ["text", "original_text", "pole", "sequence", "hidden", "merged_into"]
    list_filter = ["pole", "hidden"]
    readonly_fields = ["original_text"]
    raw_id_fields = ["sequence", "participant", "merged_into"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["text", "original_text", "carried_by", "sequence", "hidden", "merged_into"]
    list_filter = ["carried_by", "hidden"]
    readonly_fields = ["original_text"]
    raw_id_fields = ["sequence", "participant", "merged_into"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["participant", "sequence", "value"]
    raw_id_fields = ["sequence", "participant"]


@admin.register(BallotItem)
class BallotItemAdmin(admin.ModelAdmin):
    list_display = ["text", "sequence", "carried_by", "order"]
    raw_id_fields = ["sequence"]
    filter_horizontal = ["source_qualities", "source_proposals"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["ballot_item", "points"]
    raw_id_fields = ["ballot_item", "participant"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["participant", "workshop", "joined_at"]
    raw_id_fields = ["workshop", "participant"]
    exclude = ["token"]
