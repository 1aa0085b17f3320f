output "security_group_id" {
  description = "Always null: a topic has no security group (it is reached over AWS APIs with IAM). Kept for a uniform interface."
  value       = null
}

output "client_security_group_id" {
  description = "Always null: nothing joins a group to reach a topic (access is IAM over AWS APIs). Kept for a uniform datastore interface."
  value       = null
}

output "arn" {
  description = "ARN of the topic."
  value       = aws_sns_topic.this.arn

  precondition {
    condition     = startswith(var.name, "${var.service}-")
    error_message = "name must start with \"<service>-\" (the owning service name followed by a hyphen)."
  }
}

output "name" {
  description = "Name of the topic (<name>, or <name>.fifo)."
  value       = aws_sns_topic.this.name
}

output "kms_key_arn" {
  description = "ARN of the topic's own key when encryption = \"own\", else null (the AWS managed key)."
  value       = local.own_key ? aws_kms_key.this[0].arn : null
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
