from django.contrib import admin

from panels.models import Panel, PanelTarget, Participant


class PanelTargetInline(admin.TabularInline):
    model = PanelTarget
    extra = 0


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "target_size"]
    list_filter = ["kind"]
    list_select_related = ["concertation"]
    inlines = [PanelTargetInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "home_panel", "mixed_volunteer", "in_mixed_panel", "consent_on"]
    list_filter = ["home_panel__kind", "mixed_volunteer", "in_mixed_panel"]
    list_select_related = ["home_panel__concertation"]
    search_fields = ["display_name"]
