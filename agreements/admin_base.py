"""What every record type's admin shares: reverting needs the right to change."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class RecordAdmin(SimpleHistoryAdmin):
    """The admin of a record type with an audit history."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves this form when its user may merely *view* history:
        # a revert is a change, so it takes the change permission on the record.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
