"""A local S3 stand-in for tests: moto's S3 server on a free loopback port, with buckets made on demand.

moto keeps its buckets in the process (every server in it shares them), so each bucket gets a fresh name.
Buckets are versioned: every upload is a new version, so a test can tell "nothing was uploaded" from "the same
bytes were uploaded again".
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

# moto accepts any credentials; these are what the stores under test find in the environment.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing-key-id", "AWS_SECRET_ACCESS_KEY": "testing-secret-value"}
REGION = "us-east-1"


@dataclass
class S3StandIn:
    endpoint: str

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])

    def new_bucket(self) -> str:
        """A fresh versioned bucket's name."""
        name = f"panelist-{uuid.uuid4().hex[:16]}"
        s3 = self.client()
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def versions(self, bucket: str) -> list[tuple[str, str, int]]:
        """Every stored version in `bucket`: (key, version id, size) — one more after each upload."""
        pages = self.client().get_paginator("list_object_versions").paginate(Bucket=bucket)
        return sorted((v["Key"], v["VersionId"], v["Size"]) for page in pages for v in page.get("Versions", []))

    def content_type(self, bucket: str, key: str) -> str:
        return self.client().head_object(Bucket=bucket, Key=key)["ContentType"]


@contextmanager
def s3_standin() -> Iterator[S3StandIn]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3StandIn(endpoint=f"http://{host}:{port}")
    finally:
        server.stop()
