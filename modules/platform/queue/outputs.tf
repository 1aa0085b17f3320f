output "security_group_id" {
  description = "Always null: a queue has no security group of its own (it is reached over AWS APIs with IAM). Kept for a uniform interface."
  value       = null
}

output "client_security_group_id" {
  description = "Always null: nothing joins a group to reach a queue (access is IAM over AWS APIs). Kept for a uniform datastore interface."
  value       = null
}

output "url" {
  description = "URL of the queue."
  value       = module.sqs.url
}

output "arn" {
  description = "ARN of the queue."
  value       = module.sqs.arn

  precondition {
    condition     = startswith(var.name, "${var.service}-")
    error_message = "name must start with \"<service>-\" (the owning service name followed by a hyphen)."
  }
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue, null when dead_letter_queue = false."
  value       = module.sqs.dlq_arn
}

output "tags" {
  description = "Tags the module puts on every resource: var.tags plus owner, service, environment and managed-by."
  value       = local.tags
}

output "connection_parameters" {
  description = "SSM parameter names (key -> name) that carry the connection values to the service's tasks."
  value       = { for k, p in aws_ssm_parameter.connection : k => p.name }
}

output "dashboard_widgets" {
  description = "CloudWatch metric widgets for the owning service's dashboard, each a JSON object (title, metrics); platform/dashboard lays them out."
  value       = [for w in local.dashboard_widgets : jsonencode(w)]
}
