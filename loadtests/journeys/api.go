package journeys

// The shapes of the user service's answers that the journeys read.

type user struct {
	ID     int64  `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Active bool   `json:"active"`
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	User         user   `json:"user"`
}

type page[T any] struct {
	Items   []T `json:"items"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

type notification struct {
	ID   int64 `json:"id"`
	Read bool  `json:"read"`
}

type session struct {
	ID      int64 `json:"id"`
	Current bool  `json:"current"`
}

type bulkCreated struct {
	Created []user `json:"created"`
}
