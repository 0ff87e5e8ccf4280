package admission_test

import rego.v1

test_root_denied if {
  count(data.admission.deny) == 1 with input as {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {}}}}
}

test_non_root_allowed if {
  count(data.admission.deny) == 0 with input as {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {"securityContext": {"runAsNonRoot": true}}}}}
}
