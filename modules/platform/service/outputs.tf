output "security_group_id" {
  description = "ID of the tasks' own security group (<name>)."
  value       = module.client_access.security_group_id
}

output "client_security_group_id" {
  description = "ID of the <name>-clients security group; services that depend on this one join it."
  value       = module.client_access.client_security_group_id
}

output "internal_hostname" {
  description = "Internal DNS name of the service (alias to the internal load balancer)."
  value       = module.internal_record.name
}

output "external_hostname" {
  description = "Public DNS name of the service, or null when it is internal only."
  value       = one(module.external_record[*].name)
}

output "task_role_arn" {
  description = "ARN of the task role (the application's AWS identity)."
  value       = module.ecs_service.task_role_arn
}

output "execution_role_arn" {
  description = "ARN of the execution role."
  value       = module.ecs_service.execution_role_arn
}

output "service_name" {
  description = "Name of the ECS service."
  value       = module.ecs_service.service_name
}

output "log_group_name" {
  description = "Name of the service's CloudWatch log group."
  value       = module.ecs_service.log_group_name
}

output "task_definition_family" {
  description = "Task definition family deployments register new revisions in."
  value       = module.ecs_service.task_definition_family
}

output "target_group_arn" {
  description = "ARN of the service's target group."
  value       = module.ecs_service.target_group_arn
}

output "tags" {
  description = "Tags applied to every taggable resource of the service."
  value       = local.tags
}

output "alarm_names" {
  description = "Names of the service's CloudWatch alarms (after silencing)."
  value       = sort(keys(aws_cloudwatch_metric_alarm.this))
}

output "deployment_alarm_names" {
  description = "Alarms the ECS service watches during deployments; one in ALARM rolls the deployment back."
  value       = local.deployment_alarm_names
}

output "dashboard_widgets" {
  description = "CloudWatch metric widgets for the owning service's dashboard, each a JSON object (title, metrics); platform/dashboard lays them out."
  value       = [for w in local.dashboard_widgets : jsonencode(w)]
}
