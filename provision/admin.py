"""The provision map in the admin, for platform admins. Interventions are added and changed
through provision.services, so the funding figures built on their costs change with them (and
the same checks apply); enrolments and sessions are read here and changed on the pages."""

from django import forms
from django.contrib import admin

from . import services
from .models import Delivery, Enrolment, Intervention


class InterventionAdminForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = ["school", *services.INTERVENTION_FIELDS]

    def clean(self):
        data = super().clean()
        if not self.errors:
            values = {name: data.get(name) for name in services.INTERVENTION_FIELDS}
            services.intervention_checked(values)
            if (
                self.instance.pk
                and self.instance.active
                and not data.get("active")
                and self.instance.enrolments.filter(end_date__isnull=True).exists()
            ):
                raise forms.ValidationError(
                    "Pupils are still enrolled: end their enrolments before retiring the intervention."
                )
        return data


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    form = InterventionAdminForm
    list_display = [
        "name",
        "school",
        "kind",
        "staff_role",
        "sessions_per_week",
        "minutes_per_session",
        "group_size",
        "hourly_cost",
        "active",
    ]
    list_filter = ["kind", "active", "area_of_need"]
    list_select_related = ["school"]
    search_fields = ["name", "school__name", "school__laestab"]
    fields = [
        "school",
        "name",
        "kind",
        "area_of_need",
        "staff_role",
        *services.COST_FIELDS,
        "measure_scale",
        "description",
        "active",
    ]

    def get_queryset(self, request):
        return Intervention.objects.with_scopes_disabled().select_related("school")

    def get_readonly_fields(self, request, obj=None):
        return ["school"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name]
            for name in services.INTERVENTION_FIELDS
            if name in form.cleaned_data
        }
        # The form ran the services' checks (InterventionAdminForm.clean).
        if change:
            services.intervention_update(actor=request.user, intervention=obj, **values)
        else:
            values.pop("active", None)
            saved = services.intervention_create(
                actor=request.user, school=form.cleaned_data["school"], **values
            )
            obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None) -> bool:
        # Retire an intervention instead: its enrolments and sessions are the school's record.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "intervention", "pupil", "start_date", "end_date", "entry_score", "exit_score"]
    list_select_related = ["intervention", "pupil"]

    def get_queryset(self, request):
        return Enrolment.objects.with_scopes_disabled().select_related("intervention", "pupil")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "intervention", "date", "minutes"]
    list_select_related = ["intervention"]

    def get_queryset(self, request):
        return Delivery.objects.with_scopes_disabled().select_related("intervention")
