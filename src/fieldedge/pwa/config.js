// Where the API lives. "" is this page's own origin (the app served by fieldedge at /app/).
// Hosting these files elsewhere (APP_BASE_URL): set the API's origin here, e.g.
// "https://api.example.com", and list the app's origin in the API's CORS_ORIGINS.
export const API_BASE = "";
