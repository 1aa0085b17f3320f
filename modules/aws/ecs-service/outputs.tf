output "service_name" {
  description = "Name of the ECS service, or null for a scheduled job (no service)."
  value       = one(aws_ecs_service.this[*].name)
}

output "service_id" {
  description = "ARN (id) of the ECS service, or null for a scheduled job."
  value       = one(aws_ecs_service.this[*].id)
}

output "task_definition_family" {
  description = "Family of the task definitions; deployments register new revisions in it."
  value       = aws_ecs_task_definition.this.family
}

output "bootstrap_task_definition_arn" {
  description = "ARN of the bootstrap task definition revision created by Terraform."
  value       = aws_ecs_task_definition.this.arn
}

output "container_name" {
  description = "Name of the application container (the service name); deployments must keep it."
  value       = var.name
}

output "task_role_arn" {
  description = "ARN of the task role (the application's AWS identity)."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role."
  value       = aws_iam_role.task.name
}

output "execution_role_arn" {
  description = "ARN of the execution role (used by ECS to pull the image, write logs and read secrets)."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "Name of the CloudWatch log group of the containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the CloudWatch log group of the containers."
  value       = aws_cloudwatch_log_group.this.arn
}

output "target_group_arns" {
  description = "Target group ARN per load balancer: external when exposed, else empty (other services reach it through Service Connect)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}

output "target_group_health_checks" {
  description = "Health check of each target group (interval, timeout, thresholds, matcher, path), per load balancer."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.health_check[0] }
}

output "external_listener_rule_conditions" {
  description = "Conditions of the external listener rule read back from it (host, path patterns, headers -> values), null without external ingress."
  value = try({
    host    = one(flatten([for c in aws_lb_listener_rule.this["external"].condition : [for h in c.host_header : one(h.values)]]))
    paths   = sort(flatten([for c in aws_lb_listener_rule.this["external"].condition : [for p in c.path_pattern : p.values]]))
    headers = merge([for c in aws_lb_listener_rule.this["external"].condition : { for h in c.http_header : h.http_header_name => sort(h.values) }]...)
  }, null)
}

output "service_connect_dns_name" {
  description = "The Service Connect client alias (host name) at which the namespace's clients reach the service; null for a worker (serve_http = false), which has none."
  value       = var.serve_http ? var.service_connect.dns_name : null
}

output "external_listener_rule_arn" {
  description = "ARN of the host-header rule on the external listener, or null without one."
  value       = try(aws_lb_listener_rule.this["external"].arn, null)
}

output "repository_url" {
  description = "URL of the service's ECR repository (<account>.dkr.ecr.<region>.amazonaws.com/<name>)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ARN of the service's ECR repository."
  value       = aws_ecr_repository.this.arn
}

output "desired_count" {
  description = "The task count the spec asks for. Terraform creates the service with 0 tasks and ignores the count afterwards; deploys set this value."
  value       = var.desired_count
}

output "execute_command_policy_arn" {
  description = "ARN of the IAM policy allowing ECS Exec into this service's tasks only (attach it to the owner team's role), or null when ECS Exec is off."
  value       = one(aws_iam_policy.execute_command[*].arn)
}

output "autoscaling_policy_arn" {
  description = "ARN of the target-tracking scaling policy, or null without autoscaling."
  value       = one(aws_appautoscaling_policy.this[*].arn)
}

output "https_egress_rule_id" {
  description = "ID of the HTTPS egress rule on https_egress_security_group_id, or null without one."
  value       = one(aws_security_group_rule.https_egress[*].id)
}

output "security_group_ids" {
  description = "Security groups the tasks join."
  value       = toset(var.security_group_ids)
}

output "load_balancer_container_ports" {
  description = "Container port of each load balancer configuration of the ECS service (the previous port while previous_port is set; `infragen deploy` moves it)."
  value       = flatten([for service in aws_ecs_service.this : [for lb in service.load_balancer : lb.container_port]])
}

output "schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule that runs a scheduled job, or null for a service."
  value       = one(aws_scheduler_schedule.this[*].arn)
}

output "schedule_group_name" {
  description = "Schedule group of a scheduled job (the dimension of its AWS/Scheduler metrics), or null for a service."
  value       = one(aws_scheduler_schedule_group.this[*].name)
}
