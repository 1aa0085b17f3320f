# State moves from the layout with two aws_ecs_service variants (with and without autoscaling)
# and one target group shared by both load balancers. Without autoscaling the service was
# aws_ecs_service.this[0]; Terraform moves that to aws_ecs_service.this by itself.

moved {
  from = aws_ecs_service.autoscaled[0]
  to   = aws_ecs_service.this
}

moved {
  from = aws_lb_target_group.this
  to   = aws_lb_target_group.this["internal"]
}

moved {
  from = aws_lb_listener_rule.internal
  to   = aws_lb_listener_rule.this["internal"]
}

moved {
  from = aws_lb_listener_rule.external[0]
  to   = aws_lb_listener_rule.this["external"]
}
