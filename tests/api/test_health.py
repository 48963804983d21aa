"""The health endpoint and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from huisheng.runtime import Runtime


def test_health_reports_a_reachable_migrated_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "schema": "ok"}


def test_health_is_degraded_when_the_database_is_not_migrated(settings_unmigrated: Runtime) -> None:
    with TestClient(create_app(runtime=settings_unmigrated)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["schema"] == "needs `huisheng migrate`"


def test_openapi_lists_the_customer_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/customers", "/api/customers/{customer_id}"} <= set(paths)
