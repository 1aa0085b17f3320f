output "name" {
  description = "Name of the dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "body" {
  description = "The dashboard body (CloudWatch dashboard JSON)."
  value       = aws_cloudwatch_dashboard.this.dashboard_body
}
