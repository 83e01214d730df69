"""The upload size limit, enforced while the request body streams in: a file past
the limit stops being kept at that byte, instead of being written to disk whole
and refused afterwards."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class TooLargeUpload(UploadedFile):
    """Stands in for a file refused for its size, so the form can say so beside the
    field (a file simply left out would look like no file chosen)."""

    def __init__(self, name, content_type, received):
        import io

        super().__init__(io.BytesIO(b"-"), name, content_type, size=received)
        self.too_large = True


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes chunks on to the handlers that keep them
    until the limit, then keeps nothing more."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ACCORDS_DOCUMENT_MAX_BYTES:
            self.too_large = True
            return None  # the handlers after this one receive no more of the file
        return raw_data

    def file_complete(self, file_size):
        if self.too_large:
            return TooLargeUpload(self.file_name, self.content_type, self.received)
        return None
