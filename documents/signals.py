"""A deleted version's file leaves storage once the deletion is committed: deleted
before, a rollback would leave a record whose file is gone."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import DocumentVersion
from .storage import document_storage


@receiver(post_delete, sender=DocumentVersion, dispatch_uid="documents-delete-file")
def delete_file_after_commit(sender, instance, **kwargs):
    name = instance.file.name
    if name:
        # robust: a storage that fails to delete leaves an orphan (verify_documents
        # --orphans finds it), never an error after the deletion has committed.
        transaction.on_commit(lambda: document_storage.delete(name), robust=True)
