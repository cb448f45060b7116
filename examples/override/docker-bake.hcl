variable "TAG" {
  default = ""
}

group "debug" {
  targets = ["debug-tools"]
}

group "default" {
  targets = ["web"]
}

target "debug-tools" {
  context    = "tools"
  dockerfile = "Dockerfile"
  tags       = ["override-debug-tools"]
}

target "web" {
  context    = "."
  dockerfile = "Dockerfile"
  args = {
    API_URL  = "https://api.example.com"
    DEBUG    = "1"
    NODE_ENV = "development"
  }
  labels = {
    "com.example.env" = "dev"
  }
  tags       = ["example/web:${TAG == "" ? "latest" : TAG}"]
  cache-from = ["example/web:cache", "example/web:dev-cache"]
  target     = "dev"
}
