variable "name" {
  description = "Dashboard name: <service>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.name))
    error_message = "name must be 1-255 letters, digits, hyphens or underscores (a CloudWatch dashboard name)."
  }
}

variable "region" {
  description = "Region of every metric on the dashboard (the account's region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "widget_groups" {
  description = "Lists of widgets, each a JSON object with title and metrics (the dashboard_widgets outputs of platform/service and the datastore modules), laid out in this order, two per row."
  type        = list(list(string))

  validation {
    condition     = length(flatten(var.widget_groups)) > 0 && length(flatten(var.widget_groups)) <= 500
    error_message = "widget_groups must hold between 1 and 500 widgets (CloudWatch's limit per dashboard)."
  }

  validation {
    condition     = alltrue([for w in flatten(var.widget_groups) : can(jsondecode(w).title) && can(length(jsondecode(w).metrics))])
    error_message = "each widget must be a JSON object with a title and a metrics list."
  }
}
