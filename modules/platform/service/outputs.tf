output "security_group_id" {
  description = "ID of the tasks' own security group (<name>)."
  value       = module.client_access.security_group_id
}

output "client_security_group_id" {
  description = "ID of the <name>-clients security group; services that depend on this one join it. Null for a worker or job (nothing may call it)."
  value       = module.client_access.client_security_group_id
}

output "internal_hostname" {
  description = "Internal DNS name of the service: its Service Connect client alias (http://<internal_hostname>, port 80), resolved inside the namespace's tasks only."
  value       = module.ecs_service.service_connect_dns_name
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

output "schedule_arn" {
  description = "ARN of a job's EventBridge Scheduler schedule (deploys point it at each new revision), or null."
  value       = module.ecs_service.schedule_arn
}

output "service_arn" {
  description = "ARN of the ECS service, or null for a job (no service)."
  value       = module.ecs_service.service_id
}

output "service_name" {
  description = "Name of the ECS service, or null for a job."
  value       = module.ecs_service.service_name

  # What each workload kind needs and refuses (variable kind).
  precondition {
    condition = (
      local.serves_http ? var.internal_hostname != null && length(var.health_check_command) == 0 && var.schedule == null && var.desired_count != null
      : local.worker ? var.external == null && var.internal_hostname == null && length(var.health_check_command) > 0 && var.schedule == null && var.desired_count != null
      : var.external == null && var.internal_hostname == null && length(var.health_check_command) == 0 && var.schedule != null && var.desired_count == null && var.autoscaling == null
    )
    error_message = "kind = \"service\" needs internal_hostname and desired_count, and takes no health_check_command or schedule; kind = \"worker\" needs health_check_command and desired_count and takes neither external, internal_hostname nor schedule (it serves no HTTP); kind = \"job\" needs schedule and takes no desired_count, autoscaling, health_check_command, external or internal_hostname."
  }
}

output "log_group_name" {
  description = "Name of the service's CloudWatch log group."
  value       = module.ecs_service.log_group_name
}

output "task_definition_family" {
  description = "Task definition family deployments register new revisions in."
  value       = module.ecs_service.task_definition_family
}

output "tags" {
  description = "Tags applied to every taggable resource of the service."
  value       = local.tags
}

output "target_group_arns" {
  description = "Target group ARN per load balancer: external when exposed, else empty (other services reach it through Service Connect)."
  value       = module.ecs_service.target_group_arns
}

output "repository_url" {
  description = "URL of the service's ECR repository (named like the service)."
  value       = module.ecs_service.repository_url
}

output "repository_arn" {
  description = "ARN of the service's ECR repository."
  value       = module.ecs_service.repository_arn
}

output "desired_count" {
  description = "Task count from the spec, for deploys: Terraform creates the service with 0 tasks and ignores the count afterwards."
  value       = module.ecs_service.desired_count
}

output "execute_command_policy_arn" {
  description = "IAM policy allowing ECS Exec into this service's tasks only, or null when ECS Exec is off."
  value       = module.ecs_service.execute_command_policy_arn
}

output "alarm_names" {
  description = "Names of the service's CloudWatch alarms (after silencing)."
  value       = sort(keys(aws_cloudwatch_metric_alarm.this))
}

output "deployment_alarm_names" {
  description = "Alarms the ECS service watches during deployments; one in ALARM rolls the deployment back."
  value       = local.deployment_alarm_names

  precondition {
    condition     = !local.serves_http || length(local.deployment_alarm_names) > 0
    error_message = "alarm_overrides silences every deployment alarm (http_5xx_rate and p99_latency): ECS could no longer roll a bad deployment back, and the provider cannot remove the service's alarms block once set (UpdateService: missing required field AlarmNames). Keep one of them; raise its threshold instead."
  }
}

output "dashboard_widgets" {
  description = "CloudWatch metric widgets for the owning service's dashboard, each a JSON object (title, metrics); platform/dashboard lays them out."
  value       = local.dashboard_widgets
}
