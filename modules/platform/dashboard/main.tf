locals {
  widgets = [for w in flatten(var.widget_groups) : jsondecode(w)]

  # Two 12-unit columns on CloudWatch's 24-unit grid, 6 units high.
  body = {
    widgets = [
      for i, w in local.widgets : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = w.title
          region  = var.region
          view    = "timeSeries"
          stacked = false
          period  = 300
          metrics = w.metrics
        }
      }
    ]
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode(local.body)
}
