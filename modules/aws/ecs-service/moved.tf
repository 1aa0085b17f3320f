# State moves of the ECS service. It has had three addresses: aws_ecs_service.this[0] (no
# autoscaling) and aws_ecs_service.autoscaled[0] in the first layout, aws_ecs_service.this (one
# service whatever the autoscaling) in the second, and aws_ecs_service.this[0] again since a
# scheduled job has none (count). Two moved blocks with the same destination are "ambiguous" to
# Terraform, so the autoscaled variant moves through this (a chain Terraform resolves), and this
# moves explicitly: Terraform makes no implicit count move for an address that a moved block
# names. A first-layout this[0] is already where it belongs.
# tests/e2e/test_moved.py applies the first layout and proves the service is kept.

moved {
  from = aws_ecs_service.autoscaled[0]
  to   = aws_ecs_service.this
}

moved {
  from = aws_ecs_service.this
  to   = aws_ecs_service.this[0]
}

# The shared target group becomes the external one: the new group (name_prefix) is created
# before the old one is deleted, after the external rule and the service have moved to it. Moving
# it anywhere else (the first version moved it to this["internal"], which Service Connect later
# removed) makes Terraform delete it while the external rule still forwards to it, and ELBv2 then
# refuses with ResourceInUse (tests/e2e/test_moved.py). A service without external ingress has
# no this["external"]: its old group and internal rule are simply destroyed, rule first.
moved {
  from = aws_lb_target_group.this
  to   = aws_lb_target_group.this["external"]
}

moved {
  from = aws_lb_listener_rule.external[0]
  to   = aws_lb_listener_rule.this["external"]
}
