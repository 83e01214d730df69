"""A real S3 API server for the object-storage tests: moto's, in server mode, on a
free local port, so django-storages and boto3 talk HTTP to it exactly as they
would to AWS, MinIO or Ceph."""

import socket
import uuid

import boto3
import pytest

ACCESS = {"aws_access_key_id": "accords-test", "aws_secret_access_key": "accords-test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_documents(s3_server, settings):
    """Documents stored in a fresh bucket of the S3 server; yields a boto3 bucket to
    look inside it."""
    name = f"accords-{uuid.uuid4().hex[:12]}"
    resource = boto3.resource("s3", endpoint_url=s3_server, region_name="us-east-1", **ACCESS)
    bucket = resource.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": ACCESS["aws_access_key_id"],
                "secret_key": ACCESS["aws_secret_access_key"],
                "location": "accords",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    yield bucket
    bucket.objects.all().delete()
    bucket.delete()
