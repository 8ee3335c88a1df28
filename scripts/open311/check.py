"""Open311 GeoReport v2 checks against a running server (see check.sh)."""
import sys

import requests
from georeport import GeoReport


def main() -> int:
    base, station = sys.argv[1].rstrip("/"), int(sys.argv[2])
    root = f"{base}/open311/v2"
    client = GeoReport(root)

    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    want = {"closed", "not_found", "wrong_location", "amenity_missing", "amenity_broken", "hours_wrong",
            "crowded", "thanks", "other"}
    assert codes == want, codes
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services), services

    definition = client.get_service_definition("amenity_missing")
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert attrs["amenity"]["required"] is True, attrs
    assert any(v["key"] == "hot_water" for v in attrs["amenity"]["values"]), attrs["amenity"]
    assert attrs["station_id"]["datatype"] == "number", attrs

    # File a request the way a city system would: form-encoded, with attributes.
    filed = requests.post(f"{root}/requests.json", timeout=30, data={
        "service_code": "amenity_missing",
        "attribute[station_id]": str(station),
        "attribute[amenity]": "hot_water",
        "description": "Open311 客户端：没有热水",
        "lat": "35.5512",
        "long": "116.7934",
    })
    assert filed.status_code == 201, (filed.status_code, filed.text)
    rid = filed.json()[0]["service_request_id"]

    # A bad one is refused with GeoReport's error list.
    bad = requests.post(f"{root}/requests.json", timeout=30, data={"service_code": "amenity_missing",
                                                                   "attribute[station_id]": str(station)})
    assert bad.status_code == 422 and bad.json()[0]["code"] == 422, (bad.status_code, bad.text)
    missing = requests.get(f"{root}/requests/ZZZZ-ZZZZ.json", timeout=30)
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404, missing.text

    one = client.get_service_request(rid)
    assert one["service_request_id"] == rid and one["status"] == "open", one
    assert one["service_code"] == "amenity_missing" and one["description"] == "Open311 客户端：没有热水", one
    assert one["address_id"] == str(station), one

    listed = client.get_service_requests(status="open", service_code="amenity_missing")
    assert rid in {r["service_request_id"] for r in listed}, listed
    assert not client.get_service_requests(status="closed"), "nothing is closed yet"
    by_id = client.get_service_requests(service_request_id=rid)
    assert [r["service_request_id"] for r in by_id] == [rid], by_id
    print("Open311: all checks passed")
    print(rid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
